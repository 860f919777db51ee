import { config } from 'dotenv';

// Imported first by server/cli.ts, for its side effect: `.env` reaches process.env before any
// other module is evaluated. Libraries decide some things once, when loaded — graphql-js checks
// NODE_ENV=production then and otherwise runs a slower instanceof on every type check of every
// request — so a `.env` read later, in main(), came too late for them.
config({ quiet: true });
