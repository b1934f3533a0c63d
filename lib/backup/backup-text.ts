/** Words for the backup and import codes (the worker keeps codes; pages show these). */
import type { RestoreReason } from './file-results';
import type { ImportProblem } from './import-parse';

export const RESTORE_TEXT: Record<RestoreReason, string> = {
  'not-a-backup': 'This file is not a Todo-Tasker backup. Nothing was changed.',
  'newer-version':
    'This backup was made by a newer version of Todo-Tasker. Update it, then restore. Nothing was changed.',
  truncated:
    'This backup file is incomplete (it was cut off while copying or downloading). Nothing was changed.',
  tampered: 'This backup file is damaged or was changed after it was made. Nothing was changed.',
  'wrong-passphrase':
    'That passphrase does not open this backup. Nothing was changed; check it and try again.',
  'invalid-content': 'This backup opened but its contents are not valid. Nothing was changed.',
};

export const IMPORT_TEXT: Record<ImportProblem, string> = {
  empty: 'The file has no todos in it.',
  'not-todo-tasker-json': 'This JSON file is not a Todo-Tasker export.',
  'newer-version': 'This export was made by a newer version of Todo-Tasker. Update it, then import.',
  'no-title-column': 'No column looks like a title. Choose the title column below.',
  'too-many-rows': 'The file has more than 200,000 rows; split it and import the parts.',
  'too-large': 'The file is larger than 100 MB.',
};
