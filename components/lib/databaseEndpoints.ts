/**
 * What an application needs to reach the database: ONE type for the Database component's
 * `connectionInfo`, the WebServers component's `database` arg and the servers' user data. `Arn` is how
 * the secret's ARN travels: an Output from the Database, an Input into WebServers, a plain string in the
 * rendered user data.
 *
 * The names are plain strings, known before anything is created: they end up in the web servers' user
 * data, which replaces a server when it changes, and an output of a record (unknown in a preview while
 * the record is created or changed, e.g. at a promotion or when replicas come or go) would show every
 * server as replaced. Never the password: the application reads it from the secret at run time.
 */
export interface DatabaseEndpoints<Arn = string> {
    /** Stable name of whatever takes writes: `writer.<private zone>`. */
    readonly writerHost: string;
    /** Stable name that spreads reads over the healthy readers: `reader.<private zone>`. */
    readonly readerHost: string;
    readonly port: number;
    /** The application database (schema). */
    readonly name: string;
    /** Secrets Manager secret with the credentials as JSON {engine, host, port, username, password, dbname}. */
    readonly secretArn: Arn;
}
