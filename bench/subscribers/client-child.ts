import WebSocket from 'ws';
import { clock, type FromClients, type ToClients } from './protocol.ts';

/**
 * A client process of the subscribers bench (bench/subscribers.ts forks one or more): bare
 * graphql-transport-ws subscribers, one socket each, all on one conversation's `messages`. For each
 * round the bench expects, it reports every subscriber's latency (receive time minus the publish time
 * in the text) once all have received it, or what arrived when the bench asks after the round's deadline.
 */

const SUBSCRIPTION = 'subscription($id: ID!) { messages(conversationId: $id) { text } }';

interface Subscriber {
  socket: WebSocket;
  lastSeq: number;
  /** Has received any message: its subscription is live on the server. */
  live: boolean;
}

function connectSubscriber(
  wsUrl: string,
  token: string,
  conversationId: string,
  onMessage: (subscriber: Subscriber, text: string, receivedAt: number) => void,
): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false, skipUTF8Validation: true });
    const subscriber: Subscriber = { socket, lastSeq: -1, live: false };
    let acked = false;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { token } })));
    socket.on('message', (data) => {
      const receivedAt = clock();
      const message = JSON.parse(String(data)) as {
        type: string;
        payload?: { data?: { messages?: { text: string } } };
      };
      if (message.type === 'next') {
        onMessage(subscriber, message.payload?.data?.messages?.text ?? '', receivedAt);
      } else if (message.type === 'connection_ack') {
        acked = true;
        socket.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: SUBSCRIPTION, variables: { id: conversationId } },
          }),
        );
        resolve(subscriber);
      } else if (message.type === 'ping') {
        socket.send('{"type":"pong"}');
      }
    });
    socket.on('error', (error) => {
      if (!acked) reject(error);
    });
    socket.on('close', (code) => {
      if (!acked) reject(new Error(`closed with ${code} before connection_ack`));
    });
  });
}

async function runClientsChild(): Promise<void> {
  const send = (message: FromClients) => process.send?.(message);
  const subscribers: Subscriber[] = [];
  /** Latencies of the rounds the bench expects, until reported. */
  const rounds = new Map<number, number[]>();
  let count = 0;
  let liveCount = 0;

  const onMessage = (subscriber: Subscriber, text: string, receivedAt: number) => {
    const [, seqText, publishedAtText] = text.split(' ');
    const seq = Number(seqText);
    if (!subscriber.live) {
      subscriber.live = true;
      if (++liveCount === count) send({ type: 'live' });
    }
    const latencies = rounds.get(seq);
    if (!latencies || subscriber.lastSeq === seq) return;
    subscriber.lastSeq = seq;
    latencies.push(receivedAt - Number(publishedAtText));
    if (latencies.length === count) {
      rounds.delete(seq);
      send({ type: 'round', seq, latencies });
    }
  };

  process.on('message', async (message: ToClients) => {
    try {
      if (message.type === 'connect') {
        count = message.count;
        for (let offset = 0; offset < count; offset += message.concurrency) {
          const batch = Math.min(message.concurrency, count - offset);
          const opened = await Promise.all(
            Array.from({ length: batch }, () =>
              connectSubscriber(message.wsUrl, message.token, message.conversationId, onMessage),
            ),
          );
          subscribers.push(...opened);
        }
        send({ type: 'connected' });
      } else if (message.type === 'expect') {
        rounds.set(message.seq, []);
      } else if (message.type === 'report') {
        // The round's deadline passed: what arrived so far (later arrivals count as missed).
        const latencies = rounds.get(message.seq);
        if (latencies) {
          rounds.delete(message.seq);
          send({ type: 'round', seq: message.seq, latencies });
        }
      } else if (message.type === 'cpu') {
        const { user, system } = process.cpuUsage();
        send({ type: 'cpu', micros: user + system });
      } else if (message.type === 'stop') {
        for (const { socket } of subscribers) socket.terminate();
        process.exit(0);
      }
    } catch (error) {
      send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}

if (import.meta.main) await runClientsChild();
