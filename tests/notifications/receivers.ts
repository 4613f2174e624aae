import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * Real receivers on loopback for the notification tests: an SMTP server (smtp-server) that
 * collects messages and can refuse commands on cue, and a Slack-like webhook endpoint.
 */

export interface ReceivedMail {
  from: string;
  to: string[];
  headers: Record<string, string>;
  subject: string;
  text: string;
}

export interface SmtpFaults {
  /** Refuse the next N MAIL FROM commands with this SMTP code (451 = try again later). */
  mailFrom: { count: number; code: number };
  /** Refuse the next N RCPT TO commands with this code. */
  rcptTo: { count: number; code: number };
}

export interface SmtpReceiver {
  port: number;
  messages: ReceivedMail[];
  faults: SmtpFaults;
  /** Transactions refused by a fault, for counting retries. */
  refused: number;
  close(): Promise<void>;
}

export async function startSmtpReceiver(auth: { user: string; pass: string }): Promise<SmtpReceiver> {
  const receiver: SmtpReceiver = {
    port: 0,
    messages: [],
    faults: { mailFrom: { count: 0, code: 451 }, rcptTo: { count: 0, code: 451 } },
    refused: 0,
    close: async () => {},
  };
  const refuse = (fault: { count: number; code: number }, callback: (err?: Error | null) => void): boolean => {
    if (fault.count <= 0) return false;
    fault.count -= 1;
    receiver.refused += 1;
    const err = Object.assign(new Error(fault.code < 500 ? 'Try again later' : 'Refused'), { responseCode: fault.code });
    callback(err);
    return true;
  };
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(a, _session, callback) {
      if (a.username === auth.user && a.password === auth.pass) return callback(null, { user: a.username });
      return callback(new Error('Invalid credentials'));
    },
    onMailFrom(_address, _session, callback) {
      if (!refuse(receiver.faults.mailFrom, callback)) callback();
    },
    onRcptTo(_address, _session, callback) {
      if (!refuse(receiver.faults.rcptTo, callback)) callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mailFrom = session.envelope.mailFrom;
        receiver.messages.push({
          from: mailFrom ? mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          ...parseMessage(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.port = (server.server.address() as AddressInfo).port;
  receiver.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return receiver;
}

/** Just enough MIME for plain-text nodemailer messages: unfolded headers, QP or 7bit body. */
function parseMessage(raw: string): { headers: Record<string, string>; subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.slice(split + 4);
  const encoding = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (encoding === 'quoted-printable') {
    body = Buffer.from(
      body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  } else if (encoding === 'base64') {
    body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  }
  return { headers, subject: headers.subject ?? '', text: body.replace(/\r\n/g, '\n').trimEnd() };
}

export interface WebhookReceiver {
  url: string;
  /** Parsed JSON bodies of every POST, answered or not. */
  posts: Array<{ text?: string }>;
  /** Answers to give before the default 200 "ok", in order. */
  script: Array<{ status: number; body?: string; headers?: Record<string, string> }>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secretPath: string): Promise<WebhookReceiver> {
  const posts: Array<{ text?: string }> = [];
  const script: WebhookReceiver['script'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== secretPath) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no_service');
        return;
      }
      posts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: string });
      const next = script.shift() ?? { status: 200, body: 'ok' };
      res.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers }).end(next.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${secretPath}`,
    posts,
    script,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
