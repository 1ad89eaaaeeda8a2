// Build marker: tests change this value and expect the redeployed app to serve it.
export const APP_VERSION = "1";
