import { createInspectorServer } from '@statelyai/inspect/server';

/**
 * `npm run inspector`: the local bridge between the gateway (INSPECT=1 or a per-conversation switch,
 * or `npm run inspect -- <id> --live`) and the Stately inspector UI in a browser.
 */
const port = Number(process.env.INSPECT_PORT ?? 8080);
createInspectorServer({ port, autoOpen: false });
console.log(`inspector bridge on ws://localhost:${port}: open http://localhost:${port} in a browser`);
