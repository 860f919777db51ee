import type { DatabaseConnection, Dialect, Driver } from 'kysely';

// PGlite has one connection, and its kysely driver queues every other query behind the one
// that holds it. This wrapper counts both (held: 0 or 1, queued: n) for the pool gauges of
// GET /metrics; Postgres reports the same figures from pg.Pool itself.

export interface ConnectionCounts {
  inUse: number;
  waiting: number;
}

export function countConnections(dialect: Dialect): { dialect: Dialect; counts: () => ConnectionCounts } {
  const counts: ConnectionCounts = { inUse: 0, waiting: 0 };
  const wrapDriver = (driver: Driver): Driver => ({
    init: () => driver.init(),
    async acquireConnection(): Promise<DatabaseConnection> {
      counts.waiting++;
      try {
        const connection = await driver.acquireConnection();
        counts.inUse++;
        return connection;
      } finally {
        counts.waiting--;
      }
    },
    beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
    commitTransaction: (connection) => driver.commitTransaction(connection),
    rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
    ...(driver.savepoint ? { savepoint: driver.savepoint.bind(driver) } : {}),
    ...(driver.rollbackToSavepoint ? { rollbackToSavepoint: driver.rollbackToSavepoint.bind(driver) } : {}),
    ...(driver.releaseSavepoint ? { releaseSavepoint: driver.releaseSavepoint.bind(driver) } : {}),
    async releaseConnection(connection) {
      counts.inUse--;
      await driver.releaseConnection(connection);
    },
    destroy: () => driver.destroy(),
  });
  return {
    dialect: {
      createAdapter: () => dialect.createAdapter(),
      createDriver: () => wrapDriver(dialect.createDriver()),
      createQueryCompiler: () => dialect.createQueryCompiler(),
      createIntrospector: (db) => dialect.createIntrospector(db),
    },
    counts: () => ({ ...counts }),
  };
}
