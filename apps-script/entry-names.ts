/**
 * Names of top-level functions referenced by string (trigger handlers, menu items). They must
 * match exports of main.ts; tests/apps-script checks the built bundle declares each of them.
 */
export const FORM_SUBMIT_HANDLER = 'onFormSubmitDispatcher';
export const HOURLY_PUMP_HANDLER = 'pumpCommands';
export const SHOW_SIDEBAR_HANDLER = 'showSidebar';
export const SIDEBAR_FILE = 'Sidebar';
