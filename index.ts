import { Database } from "./components/database";
import { APP_PORT, NextApp } from "./components/nextApp";
import { Proxy } from "./components/proxy";
import { loadSettings, PROJECT_DIR } from "./components/settings";
import { stackContext } from "./components/stackContext";
import { StackNetwork } from "./components/stackNetwork";

// Validated before any resource is declared: a bad value stops the program here, naming the key.
const settings = loadSettings();

const network = new StackNetwork("network", { name: settings.prefix, labels: settings.labels });
const stack = stackContext(settings, network.name);

const db = new Database("db", {
    stack,
    image: settings.db.image,
    dataPath: settings.db.dataPath,
    user: settings.db.user,
    database: settings.db.name,
    password: settings.db.password,
    publish: settings.db.publish,
    protectData: settings.db.protect,
    limits: settings.limits.db,
});

// Order by dependsOn, which does not cascade: replacing the database replaces only the database.
const app = settings.app
    ? new NextApp("app", {
          stack,
          path: settings.app.context,
          projectDir: PROJECT_DIR,
          appDir: settings.app.appDir,
          baseImage: settings.app.baseImage,
          packageManager: settings.app.packageManager.spec,
          buildPackages: settings.app.buildPackages,
          buildEnv: settings.app.buildEnv,
          buildSecrets: settings.app.buildSecrets,
          databaseUrl: db.url,
          databaseUrlEnv: settings.app.databaseUrlEnv,
          env: [...settings.app.env, ...settings.app.publicUrlEnv],
          secretEnv: settings.app.secretEnv,
          healthPath: settings.app.healthPath,
          migrateCommand: settings.app.migrateCommand,
          publish: settings.app.publish,
          limits: settings.limits.app,
          dependsOn: [db.container],
      })
    : undefined;

const proxy = app && settings.proxy
    ? new Proxy("proxy", {
          stack,
          baseImage: settings.proxy.baseImage,
          upstreamHost: app.alias,
          upstreamPort: APP_PORT,
          publish: settings.proxy.publish,
          limits: settings.limits.proxy,
          dependsOn: [app.container],
      })
    : undefined;

/** Name of the stack's network. */
export const networkName = network.name;
/** Database container and volume. */
export const dbContainer = db.containerName;
export const dbVolume = db.volumeName;
/** URL for containers on the network (secret): `pulumi stack output dbUrl --show-secrets`. */
export const dbUrl = db.url;
/** URL for `next dev` on the host when the database is published (secret). */
export const dbHostUrl = db.hostUrl;
/** App container, when the stack runs the app. */
export const appContainer = app?.containerName;
/** Proxy container, when the stack runs the proxy. */
export const proxyContainer = proxy?.containerName;
/** The URL to open: appPublicUrl, else the proxy's published address, else the app's own published port. */
export const url = settings.app?.publicUrl;
