// Side-effect module, imported first by main.ts: see url-polyfill.ts.
import { installUrlPolyfill } from './url-polyfill';

installUrlPolyfill();
