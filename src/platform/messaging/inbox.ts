import { Transaction } from 'kysely';
import { Delivery } from '../bus/event-bus';
import { MalformedEventError } from '../bus/event-catalog';
import { MessagingTables } from './messaging-tables';
import { Outbox } from './outbox';

/**
 * Idempotent consumption: runs `effect` and records `(consumer, message id)` in the inbox in ONE
 * transaction (the outbox's, so events the effect writes commit with it). A message already in the
 * inbox (a redelivery, or a duplicate the outbox relay published twice) is a no-op. Two deliveries
 * of one message racing each other serialise on the inbox's primary key: the second waits for the
 * first to commit, then finds the row and does nothing.
 *
 * Returns true when the effect ran, false for a duplicate. Throws MalformedEventError when the
 * message has no message id (it could not be deduplicated), and whatever `effect` throws (nothing
 * of it is kept: the transaction rolls back).
 */
export async function processOnce<DB extends MessagingTables>(
  outbox: Outbox<DB>,
  consumer: string,
  delivery: Delivery,
  effect: (trx: Transaction<DB>) => Promise<void>,
): Promise<boolean> {
  const messageId = requireMessageId(delivery);
  return outbox.transaction(async (trx) => {
    const inserted = await (trx as unknown as Transaction<MessagingTables>)
      .insertInto('inbox')
      .values({ consumer, message_id: messageId })
      .onConflict((oc) => oc.columns(['consumer', 'message_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) {
      outbox.log.info({ consumer, messageId, redelivered: delivery.redelivered }, 'duplicate message ignored');
      outbox.onDuplicate(consumer);
      return false;
    }
    await effect(trx);
    return true;
  });
}

/**
 * Idempotent consumption by the effect's own key, with no inbox row: runs `effect` in one
 * transaction (the outbox's); `effect` returns false when what it writes was there already (a
 * redelivery, or the same fact announced under another message id), and the message then counts
 * and is logged as a duplicate, as with processOnce. For effects keyed by what they record (a
 * frame's analysis, its sample), where an inbox row per message would be a write for nothing.
 * Returns what `effect` returned.
 */
export async function applyOnce<DB extends MessagingTables>(
  outbox: Outbox<DB>,
  consumer: string,
  delivery: Delivery,
  effect: (trx: Transaction<DB>) => Promise<boolean>,
): Promise<boolean> {
  const applied = await outbox.transaction(effect);
  if (!applied) {
    outbox.log.info({ consumer, messageId: delivery.properties.messageId, redelivered: delivery.redelivered }, 'duplicate message ignored');
    outbox.onDuplicate(consumer);
  }
  return applied;
}

/**
 * True when `consumer` has processed this message already: lets a consumer skip expensive work
 * (model inference) before the transaction. processOnce stays the authority.
 */
export async function alreadyProcessed<DB extends MessagingTables>(outbox: Outbox<DB>, consumer: string, delivery: Delivery): Promise<boolean> {
  const db = outbox.db as unknown as Outbox<MessagingTables>['db'];
  const row = await db
    .selectFrom('inbox')
    .select('message_id')
    .where('consumer', '=', consumer)
    .where('message_id', '=', requireMessageId(delivery))
    .executeTakeFirst();
  if (row) {
    outbox.log.info({ consumer, messageId: delivery.properties.messageId, redelivered: delivery.redelivered }, 'duplicate message ignored');
    outbox.onDuplicate(consumer);
  }
  return row !== undefined;
}

function requireMessageId(delivery: Delivery): string {
  const id = delivery.properties.messageId;
  if (!id) throw new MalformedEventError(`a ${delivery.properties.type || 'message'} on ${delivery.routingKey} has no message_id; it cannot be deduplicated`);
  return id;
}
