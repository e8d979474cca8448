import type { TestProject } from "vitest/node";
import { createPostgresDatabase } from "../db/connection";
import { migrateToLatest } from "../db/migrate";
import { startPostgresCluster } from "./helpers/postgres-cluster.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

/** The template every test file's database is copied from (CREATE DATABASE … TEMPLATE): migrated once. */
export const TEMPLATE_DATABASE = "app_template";

/**
 * The `postgres` project: one throw-away PostgreSQL server for the whole run;
 * each test file gets its own database, copied from a migrated template
 * (tests/setup.ts); the server and its folder go away at the end.
 */
export default async function setup(project: TestProject) {
  const cluster = await startPostgresCluster();
  try {
    const url = await cluster.createDatabase(TEMPLATE_DATABASE);
    const { db } = createPostgresDatabase(url);
    await migrateToLatest(db);
    await db.destroy();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  project.provide("postgresAdminUrl", cluster.adminUrl);
  return () => cluster.stop();
}
