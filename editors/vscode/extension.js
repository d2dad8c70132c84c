// The Proviso extension: starts `proviso lsp` (the language server) for *.proviso files.
// Plain JavaScript, no build step: `npm install` in this folder fetches vscode-languageclient.
'use strict';

const vscode = require('vscode');

// Missing until `npm install` in this folder: the grammar works without it, the language server does not.
let languageclient = null;
try {
  languageclient = require('vscode-languageclient/node');
} catch (err) {
  languageclient = null;
}

let client;

// Called on the first `proviso` document (activationEvents: onLanguage:proviso).
async function activate(context) {
  if (!languageclient) {
    vscode.window.showWarningMessage(
      'Proviso: run `npm install` in the extension folder for the language server (highlighting works without it).');
    return;
  }
  const { LanguageClient, TransportKind } = languageclient;
  const config = vscode.workspace.getConfiguration('proviso');
  const command = config.get('path') || 'proviso';
  const args = ['lsp'];
  const root = config.get('root');
  if (root) args.push('--root', root);
  const serverOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'proviso' }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{proviso,law}') },
  };
  client = new LanguageClient('proviso', 'Proviso', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('proviso.path') || e.affectsConfiguration('proviso.root')) {
        vscode.window.showInformationMessage('Proviso: reload the window to restart the language server.');
      }
    }));
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `Proviso: cannot start \`${command} lsp\` (${err && err.message ? err.message : err}). ` +
      'Set `proviso.path` to the proviso executable.');
  }
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
