import { EntitySubscriberInterface, EventSubscriber, InsertEvent, ObjectLiteral, UpdateEvent } from 'typeorm';
import { BLIND_INDEXED, emailIndex } from './columns';

/**
 * Writes every `BlindIndexColumn` from its source property on insert and update (`save`, `insert`
 * and `update` alike: TypeORM broadcasts before each with the values being written), so the index
 * of an encrypted address can never be stale or forgotten. A source set to null clears the index.
 */
@EventSubscriber()
export class BlindIndexSubscriber implements EntitySubscriberInterface {
  beforeInsert(event: InsertEvent<ObjectLiteral>): void {
    this.fill(event.metadata.target, event.entity);
  }

  beforeUpdate(event: UpdateEvent<ObjectLiteral>): void {
    this.fill(event.metadata.target, event.entity);
  }

  private fill(target: unknown, entity: ObjectLiteral | undefined): void {
    if (!entity || typeof target !== 'function') return;
    for (const { source, index } of BLIND_INDEXED.get(target) ?? []) {
      if (!(source in entity) || entity[source] === undefined) continue;
      const value = entity[source] as string | null;
      entity[index] = value == null ? null : emailIndex(value);
    }
  }
}
