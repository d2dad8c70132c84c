// Runs editors/vscode/extension.js under node with stand-ins for `vscode` and `vscode-languageclient/node`
// (neither is needed installed), and checks what activate() asks of the language client: the executable
// from `proviso.path`, `lsp` and `--root` from `proviso.root`, and proviso documents.
'use strict';

const assert = require('assert');
const Module = require('module');
const path = require('path');

// `--without-client`: as before `npm install`: the language client cannot be loaded.
const withoutClient = process.argv.includes('--without-client');
const warnings = [];
const settings = { path: '/opt/proviso/bin/proviso', root: '/work/policies' };
const created = [];
const stubs = {
  vscode: {
    workspace: {
      getConfiguration: (section) => {
        assert.strictEqual(section, 'proviso');
        return { get: (key) => settings[key] };
      },
      createFileSystemWatcher: (glob) => ({ glob }),
      onDidChangeConfiguration: () => ({ dispose() {} }),
    },
    window: { showErrorMessage: (m) => { throw new Error('unexpected error message: ' + m); },
              showWarningMessage: (m) => { warnings.push(m); },
              showInformationMessage: () => {} },
  },
  'vscode-languageclient/node': {
    TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 },
    LanguageClient: class {
      constructor(id, name, serverOptions, clientOptions) {
        Object.assign(this, { id, name, serverOptions, clientOptions, started: false, stopped: false });
        created.push(this);
      }
      start() { this.started = true; return Promise.resolve(); }
      stop() { this.stopped = true; return Promise.resolve(); }
    },
  },
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (withoutClient && request === 'vscode-languageclient/node') throw new Error(`Cannot find module '${request}'`);
  return Object.prototype.hasOwnProperty.call(stubs, request) ? request : resolve.call(this, request, ...rest);
};
if (withoutClient) delete stubs['vscode-languageclient/node'];
for (const name of Object.keys(stubs)) {
  require.cache[name] = { id: name, filename: name, loaded: true, exports: stubs[name] };
}

const extension = require(path.resolve(process.argv[2] || 'editors/vscode/extension.js'));
const context = { subscriptions: [] };
extension.activate(context).then(async () => {
  if (withoutClient) {
    assert.strictEqual(created.length, 0);
    assert.strictEqual(warnings.length, 1);
    assert.match(warnings[0], /npm install/);
    assert.strictEqual(extension.deactivate(), undefined);
    console.log('ok');
    return;
  }
  assert.strictEqual(created.length, 1);
  const c = created[0];
  assert.strictEqual(c.id, 'proviso');
  assert.deepStrictEqual(c.serverOptions, { command: settings.path, args: ['lsp', '--root', settings.root], transport: 0 });
  assert.deepStrictEqual(c.clientOptions.documentSelector, [{ scheme: 'file', language: 'proviso' }]);
  assert.ok(c.started, 'the client was started');
  assert.ok(context.subscriptions.length >= 1);
  await extension.deactivate();
  assert.ok(c.stopped, 'the client was stopped');
  console.log('ok');
}).catch((e) => { console.error(e); process.exit(1); });
