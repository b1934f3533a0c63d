#!/usr/bin/env node
/**
 * Fails early, with a plain message, when the project's scripts run on a Node older than the
 * `engines` field allows (npm itself only warns). Runs before `npm install` / `npm ci` (preinstall),
 * `npm test` and `npm start`. Kept to syntax every old Node understands.
 */
const NEED = [22, 12];
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < NEED[0] || (major === NEED[0] && minor < NEED[1])) {
  console.error(
    [
      '',
      `Todo-Tasker needs Node ${NEED.join('.')} or newer; this is Node ${process.versions.node} (${process.execPath}).`,
      '',
      'Get Node 22, then run the command again:',
      '  nvm install && nvm use          # nvm reads .nvmrc (22); fnm: fnm use --install-if-missing',
      '  or download it from https://nodejs.org/en/download (22 LTS)',
      '  or, without a version manager: npm install --prefix ~/.cache/todo-tasker/node22 node@22',
      '     and export PATH="$HOME/.cache/todo-tasker/node22/node_modules/.bin:$PATH"',
      '',
    ].join('\n'),
  );
  process.exit(1);
}
