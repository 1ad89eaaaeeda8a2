import { isLoopbackPublishAddress } from "../containerDefaults";
import { MIN_NGINX_FOR_RERESOLVE, nginxTagTooOld } from "../nginxConf";
import { dataPathForMajor, KNOWN_POSTGRES_MAJORS, majorFromImageTag } from "../postgres";
import { AppSource, checkAppDirectory, checkBuildEnv, checkEnvNames, checkPublicUrl } from "./app";
import { full } from "./keys";
import { ParsedConfig } from "./parse";
import { SettingsSource } from "./types";

/** What the cross-key rules work out on the way, for the settings built from them. */
export interface Derived {
    /** Postgres major: postgresVersion, else the one in dbImage's tag (0 when neither says). */
    major: number;
    /** Data path of that major; undefined when it has none (an issue says so). */
    dataPath?: string;
    /** Build context, the app's directory in it, and the package manager (checkAppDirectory). */
    app: AppSource;
    publicUrl?: string;
}

/**
 * Checks the rules that span keys (and the stack name, and the app's files), adding their issues after the
 * per-key ones. The order of the checks is the order of the messages.
 */
export function checkCrossKeys(source: SettingsSource, parsed: ParsedConfig): Derived {
    checkStackName(source, parsed);
    const { major, dataPath } = checkPostgres(parsed);
    checkDbPublish(parsed);
    checkDependencies(parsed);
    const app = checkAppDirectory(source, parsed);
    const publicUrl = checkPublicUrl(parsed, checkEnvNames(parsed));
    checkBuildEnv(source, parsed);
    checkPublishedPorts(parsed);
    return { major, dataPath, app, publicUrl };
}

/** The stack name must form Docker object and image names. */
function checkStackName(source: SettingsSource, { issues }: ParsedConfig): void {
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(source.stack) || source.stack.length > 40) {
        issues.push({
            key: "stack name",
            message: `got ${JSON.stringify(source.stack)}; expected a stack name usable in Docker object and image names: lower-case a-z, 0-9, '.', '_', '-', starting with a letter or digit, at most 40 characters`,
        });
    }
}

/** postgresVersion and dbImage's tag must agree, on a major with a known data path. */
function checkPostgres({ values, issues, get }: ParsedConfig): Pick<Derived, "major" | "dataPath"> {
    const dbImage = get("dbImage");
    let major = get<number>("postgresVersion");
    // A refused dbImage is already reported: its tag is not compared (get() would give the default image's).
    const dbImageRefused = issues.some((i) => i.key === full("dbImage"));
    const tagMajor = dbImageRefused ? undefined : majorFromImageTag(dbImage);
    if (major === 0) {
        if (tagMajor === undefined && !dbImageRefused) {
            issues.push({ key: full("postgresVersion"), message: `is 0 and the tag of ${JSON.stringify(dbImage)} does not start with a major version; set the Postgres major version of that image` });
        }
        major = tagMajor ?? 0;
    } else if (tagMajor !== undefined && tagMajor !== major) {
        issues.push({ key: full("postgresVersion"), message: `got ${major}, but ${full("dbImage")} ${JSON.stringify(dbImage)} is Postgres ${tagMajor}; make them agree` });
    }
    const dataPath = major ? dataPathForMajor(major) : undefined;
    if (major && !dataPath) {
        // Not set: the major is the tag's.
        const fromTag = !values.postgresVersion;
        issues.push({
            key: full(fromTag ? "dbImage" : "postgresVersion"),
            message: `got ${fromTag ? JSON.stringify(dbImage) : major}: Postgres ${major} has no known data path; expected a major from ${KNOWN_POSTGRES_MAJORS[0]} to ${KNOWN_POSTGRES_MAJORS[KNOWN_POSTGRES_MAJORS.length - 1]}`,
        });
    }
    return { major, dataPath };
}

/** Postgres is published beyond loopback only with dbPublishAnyAddress. */
function checkDbPublish({ issues, get }: ParsedConfig): void {
    const dbPublishPort = get<number>("dbPublishPort");
    const dbPublishAddress = get("dbPublishAddress");
    if (dbPublishPort && !isLoopbackPublishAddress(dbPublishAddress) && !get<boolean>("dbPublishAnyAddress")) {
        issues.push({
            key: full("dbPublishAddress"),
            message: `got ${JSON.stringify(dbPublishAddress)}: that publishes Postgres beyond this machine; use 127.0.0.1, or opt in with ${full("dbPublishAnyAddress")}=true`,
        });
    }
}

/** The proxy and the migrate command need the app; the proxy needs an nginx that re-resolves it. */
function checkDependencies({ issues, get }: ParsedConfig): void {
    const appEnabled = get<boolean>("appEnabled");
    const proxyEnabled = get<boolean>("proxyEnabled");
    if (proxyEnabled && !appEnabled) {
        issues.push({ key: full("proxyEnabled"), message: `is true but ${full("appEnabled")} is false; the proxy needs the app behind it` });
    }
    if (proxyEnabled && nginxTagTooOld(get("proxyBaseImage"))) {
        issues.push({
            key: full("proxyBaseImage"),
            message: `got ${JSON.stringify(get("proxyBaseImage"))}; expected nginx ${MIN_NGINX_FOR_RERESOLVE.join(".")} or newer, which re-resolves the app after it is replaced`,
        });
    }
    if (get("appMigrateCommand") && !appEnabled) {
        issues.push({ key: full("appMigrateCommand"), message: `is set but ${full("appEnabled")} is false; the command runs in the app's image` });
    }
}

/** No two published ports clash on one host address (0.0.0.0 overlaps every address). */
function checkPublishedPorts({ issues, get }: ParsedConfig): void {
    const dbPublishPort = get<number>("dbPublishPort");
    const dbPublishAddress = get("dbPublishAddress");
    const appEnabled = get<boolean>("appEnabled");
    const proxyEnabled = get<boolean>("proxyEnabled");
    const published: { key: string; address: string; port: number }[] = [];
    if (dbPublishPort) published.push({ key: "dbPublishPort", address: dbPublishAddress, port: dbPublishPort });
    if (appEnabled && get<number>("appPublishPort")) published.push({ key: "appPublishPort", address: "127.0.0.1", port: get<number>("appPublishPort") });
    if (proxyEnabled) published.push({ key: "proxyPort", address: get("proxyPublishAddress"), port: get<number>("proxyPort") });
    for (const [i, a] of published.entries()) {
        for (const b of published.slice(i + 1)) {
            const overlap = a.address === b.address || a.address === "0.0.0.0" || b.address === "0.0.0.0";
            if (a.port === b.port && overlap) {
                issues.push({ key: full(b.key), message: `port ${b.port} clashes with ${full(a.key)} on the same host address; choose another port` });
            }
        }
    }
}
