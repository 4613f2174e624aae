export * from './workflow-status';
export * from './contracts/assessment';
export * from './contracts/commands';
export * from './contracts/api';
