/** The forms of BackupTools, which a page's own buttons may open. */
export type BackupView = 'backup' | 'restore' | 'export' | 'import';
