/** Shapes of the simulated OMS site: what deploySite is asked for and the descriptor it returns. */

type Exec = { code: number; stdout: string; stderr: string };

/** The part of the lab the simulated OMS needs (test/lab's Lab satisfies it). */
export interface SimLab {
  id: number;
  hosts: { name: string; address: string; region?: string; bastionOnly?: boolean; dockerSocket?: string }[];
  mariadb?: { host: string; port: number; rootPassword: string };
  /** Control-node directory visible read-only at /mnt/lab-shared in every host. */
  sharedDir: string;
  /** Runs argv inside the host as root. Resolves with the exit code (never throws for a non-zero exit). */
  exec(host: string, argv: string[], opts?: { stdin?: string | Buffer; timeoutMs?: number }): Promise<Exec>;
  /** Runs the docker client against the host's dockerd (paths in -v are the host's; -i files are the control node's). */
  docker(host: string, args: string[], opts?: { stdin?: string | Buffer; timeoutMs?: number }): Promise<Exec>;
  /** Optional lifecycle helpers: resetSite brings killed hosts back and plugs cut ones in again. */
  isUp?(host: string): Promise<boolean>;
  restart?(host: string): Promise<void>;
  heal?(host: string): Promise<void>;
}

/** Where the lab mounts its sharedDir inside every host. */
export const LAB_SHARED_MOUNT = '/mnt/lab-shared';

export interface RegionSpec {
  /** cm_region, e.g. "hz". */
  name: string;
  /** cm_region_cn (written only when the site has more than one region). */
  nameCn?: string;
  /** cm_location: 0..127, unique; the heartbeat database is <hbPrefix><location>. */
  location: number;
  /** Lab host names of the region's OMS nodes. */
  hosts: string[];
  /** Whether the region's nodes share one config.yaml (identical file on each node; docker_init.sh once per region).
   *  false: each node gets its own file (cm_url names the node itself), so docker_init.sh must run on every node. Default true. */
  sharedConfig?: boolean;
  /** config.yaml `nginx_ssl_enabled: true`: the region's consoles serve TLS where the certificate is mounted. Default: SiteOptions.https. */
  consoleSsl?: boolean;
}

/** How a host of the site is set up beyond the vendor's spec (the hostile profile's traits; README "Site profiles"). */
export interface HostTraits {
  /** /run/lock (= /var/lock): "open" (1777, as Debian), "root-only" (0755 root, as RHEL), "missing" (a minimal host after a reboot). */
  runLock?: 'open' | 'root-only' | 'missing';
  /** Mount the vendor's certificate at /etc/pki/nginx/oms_server.{crt,key} (default: SiteOptions.https). */
  certs?: boolean;
  /** sshd refuses connections from the control node: the host is reachable only through another host (a bastion). */
  bastionOnly?: boolean;
}

export interface SiteOptions {
  /** Image repository (default "oms"). */
  repository?: string;
  /** The running version (default "3.3.1"). Any version other than 4.0.0 behaves as an old OMS. */
  oldVersion?: string;
  /** Default "4.0.0". */
  newVersion?: string;
  /** Versions a multi-hop upgrade passes through between oldVersion and newVersion, in order (e.g. ["4.2.1"] for
   *  4.2.0 → 4.2.1 → 4.2.2): an image is built for each (enforcing its own documented sources) and its archive staged
   *  like the new one's. Default none. */
  via?: string[];
  /** Default: hz = the first two OMS-capable lab hosts (one shared config), sh = the third. */
  regions?: RegionSpec[];
  /** MetaDB database names. */
  db?: { rm?: string; cm?: string; heartbeatPrefix?: string };
  /** MetaDB user the OMS config.yaml names (default "oms"). */
  metaUser?: string;
  /** Its password (default contains shell and SQL metacharacters and a space on purpose). */
  metaPassword?: string;
  /** Host directory holding config.yaml, the three data mounts and images (default /data/oms). */
  dataDir?: string;
  /** Old container name (default oms_<old version digits>, e.g. oms_331). */
  containerName?: string;
  /** Rows seeded into each heatbeat_sequence (default 10000). */
  heartbeatRows?: number;
  /** ha.config `enable` before the upgrade (default true, so an upgrade has to disable and restore it). */
  haEnabled?: boolean;
  /** Mount a self-signed certificate at /etc/pki/nginx/oms_server.{crt,key}: the console then answers HTTPS. */
  https?: boolean;
  /** Restart policy of the old containers (default "always"). */
  restartPolicy?: string;
  /** Seconds a family C container (4.2.9) must be up before docker_init.sh accepts to run: the site's wait, which
   *  the guide gives as `sleep 300` (default 300). Kept in the run mount, not in the inventory. */
  initWaitSeconds?: number;
  /** Whether rm has the oms_version table (default: when the old version is 4.1.1 or later). false on a 4.2.x site
   *  is the legacy rm database for which 4.2.9's docker_init.sh says "Version before 4.1.1 is not allowed to upgrade". */
  omsVersionTable?: boolean;
  /** Per-host traits, by lab host name. */
  hostTraits?: Record<string, HostTraits>;
  /** Stage the new image archive on every host at paths.newImageTar (default true). false: only on the control node (controlImageTar). */
  /** 'link': a symlink to the shared archive instead of a copy (the 30-host benchmark: 30 copies of a 1 GB image would
   *  fill the disk; reading through the link is what reading a local copy in the page cache costs). */
  stageImageOnHosts?: boolean | 'link';
  /** MB of incompressible bytes added to the images the upgrade loads (the new one and the via ones): a realistic
   *  image size for the outage benchmark (default 0: the small image). */
  imagePadMb?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface SiteHost {
  name: string;
  /** OMS_HOST_IP. */
  address: string;
  region: string;
  /** Host path of this node's config.yaml. */
  configPath: string;
  /** sha256 of its config.yaml (equal across a region's nodes that share one config). */
  configSha: string;
  /** The certificate is mounted in its containers. */
  certs: boolean;
  /** What its console answers: https only when the certificate is mounted and its region's config.yaml enables ssl. */
  consoleScheme: 'http' | 'https';
  runLock: 'open' | 'root-only' | 'missing';
  /** Reachable only through a bastion (sshd refuses the control node). */
  bastionOnly: boolean;
}

export interface SiteRegion {
  name: string;
  nameCn: string;
  location: number;
  isDefault: boolean;
  heartbeatDb: string;
  hosts: string[];
  sharedConfig: boolean;
  consoleSsl: boolean;
}

/** The image of one version of a multi-hop path, and where its archive is. */
export interface SiteHopImage {
  version: string;
  /** repository:tag */
  image: string;
  /** sha256:... once loaded. */
  imageId: string;
  /** Archive on the control node (shared dir). */
  controlTar: string;
  /** The same archive as every host sees it (read-only shared mount). */
  sharedTar: string;
  /** Host path it is staged at (unless stageImageOnHosts is false): <dataDir>/images/oms-<version>.tar. */
  stagedTar: string;
  /** The container name an upgrade gives it by default: oms_<digits>. */
  container: string;
}

export interface Site {
  labId?: number;
  repository: string;
  oldVersion: string;
  newVersion: string;
  /** repository:tag */
  oldImage: string;
  newImage: string;
  /** Image archives on the control node (docker save format), in the lab's shared directory. */
  imageTars: { old: string; new: string };
  /** Image ids (sha256:...) docker reports once they are loaded. */
  imageIds: { old: string; new: string };
  /** Every version after the old one, in upgrade order (the via versions, then the new one): its image and archives. */
  hops: SiteHopImage[];
  /** Image archives as every host sees them (the new one is also copied to paths.newImageTar unless stageImageOnHosts is false). */
  hostImageTars: { old: string; new: string };
  /** The new image archive where only the control node sees it (hidden from the hosts). */
  controlImageTar: string;
  stageImageOnHosts: boolean | 'link';
  metadb: { host: string; port: number; user: string; password: string; rootUser: string; rootPassword: string };
  databases: { rm: string; cm: string; heartbeat: Record<string, string>; all: string[] };
  regions: SiteRegion[];
  hosts: SiteHost[];
  containers: { old: string; new: string };
  consolePort: number;
  https: boolean;
  restartPolicy: string;
  /** Seconds a family C container must be up before its docker_init.sh runs (host file paths.initWaitFile). */
  initWaitSeconds: number;
  /** How resetSite reseeds the MetaDB. */
  seed: {
    haEnabled: boolean;
    heartbeatRows: number;
    /** 'YYYY-MM-DD HH:MM:SS': seeded timestamps are relative to it. */
    epoch: string;
    /** rm has oms_version (holding "<old version>-CE"). */
    omsVersionTable: boolean;
  };
  paths: {
    dataDir: string;
    configPath: string;
    logs: string;
    store: string;
    run: string;
    imageDir: string;
    /** Host path of the new image archive (as a site that stages its images would keep it). */
    newImageTar: string;
    /** Create this file on a host (content: rm | cm | cm_hb) to make docker_init.sh fail before that step. */
    failDockerInitMarker: string;
    /** Holds initWaitSeconds, in the run mount (the container reads /home/ds/run/SIM_INIT_WAIT_SECONDS). */
    initWaitFile: string;
    httpsCrt?: string;
    httpsKey?: string;
  };
}
