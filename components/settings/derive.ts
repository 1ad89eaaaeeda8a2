import { cpusAsReadBack } from "../containerDefaults";
import { stackLabels } from "../labels";
import { memoryMb } from "./checks";
import { Get } from "./parse";
import { Derived } from "./rules";
import { ContainerLimits, Settings, SettingsSource } from "./types";

/** Builds the settings of a config that passed every check. */
export function deriveSettings(source: SettingsSource, get: Get, { major, dataPath, app, publicUrl }: Derived): Settings {
    const dbImage = get("dbImage");
    const dbPublishPort = get<number>("dbPublishPort");
    const dbPublishAddress = get("dbPublishAddress");
    const appEnabled = get<boolean>("appEnabled");
    const proxyEnabled = get<boolean>("proxyEnabled");
    const databaseUrlEnv = get("appDatabaseUrlEnv");
    const env = get<string[]>("appEnv");
    const secretEnv = get<string[]>("appSecretEnv");
    const publicUrlEnv = get<string[]>("appPublicUrlEnv");
    const prefixName = `${source.project}-${source.stack}`;
    const password = get<string>("dbPassword");
    return {
        project: source.project,
        stack: source.stack,
        prefix: prefixName,
        labels: stackLabels(source.project, source.stack),
        db: {
            image: dbImage,
            major,
            dataPath: dataPath!,
            user: get("dbUser"),
            name: get("dbName"),
            password: password === "" ? undefined : password,
            publish: dbPublishPort ? { address: dbPublishAddress, port: dbPublishPort } : undefined,
            protect: get<boolean>("protectData"),
        },
        app: appEnabled
            ? {
                  context: app.context,
                  appDir: app.appDir,
                  baseImage: get("appBaseImage"),
                  packageManager: app.packageManager,
                  buildPackages: get<string[]>("appBuildPackages"),
                  buildEnv: get<string[]>("appBuildEnv"),
                  buildSecrets: get<string[]>("appBuildSecrets"),
                  publish: get<number>("appPublishPort") ? { address: "127.0.0.1", port: get<number>("appPublishPort") } : undefined,
                  databaseUrlEnv,
                  healthPath: get("appHealthPath") || undefined,
                  env,
                  secretEnv,
                  migrateCommand: get("appMigrateCommand") || undefined,
                  publicUrl,
                  // NAME=url: the URL without its trailing / (https://shop.example.com), as auth libraries take it.
                  publicUrlEnv: publicUrl ? publicUrlEnv.map((name) => `${name}=${publicUrl.replace(/\/$/, "")}`) : [],
              }
            : undefined,
        proxy: proxyEnabled ? { baseImage: get("proxyBaseImage"), publish: { address: get("proxyPublishAddress"), port: get<number>("proxyPort") } } : undefined,
        limits: {
            db: limitsOf(get("dbMemory"), get("dbCpus")),
            app: limitsOf(get("appMemory"), get("appCpus")),
            proxy: limitsOf(get("proxyMemory"), get("proxyCpus")),
        },
        restartPolicy: get("restartPolicy"),
        healthcheckIntervalSeconds: get<number>("healthcheckInterval"),
        healthcheckStartIntervalSeconds: get<number>("healthcheckStartInterval"),
        stopGraceSeconds: get<number>("stopGraceSeconds"),
    };
}

function limitsOf(memorySize: string, cpuCount: string): ContainerLimits {
    // In the form the provider reads back (1 → "1.0"), else every up would replace the container.
    return { memoryMb: memorySize ? memoryMb(memorySize) : undefined, cpus: cpuCount ? cpusAsReadBack(cpuCount) : undefined };
}
