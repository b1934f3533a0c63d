/**
 * `sidePanel.open` must run inside the user gesture, so the window id is looked up beforehand
 * (awaiting anything in the click handler would spend the gesture). Chrome 116+.
 */
export function createSidePanelOpener() {
  let windowId: number | undefined;
  void chrome.windows.getCurrent().then((w) => {
    windowId = w.id;
  });
  return {
    get available() {
      return typeof chrome.sidePanel?.open === 'function';
    },
    open(): Promise<void> {
      if (windowId === undefined) return Promise.reject(new Error('window not known yet'));
      return chrome.sidePanel.open({ windowId });
    },
  };
}
