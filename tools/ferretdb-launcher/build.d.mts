// Types for build.mjs (imported from src/db/embedded-ferretdb.ts).
export declare const LAUNCHER_SOURCE_DIR: string;
export declare const REPO_ROOT: string;
export declare const LAUNCHER_BINARY: string;
export declare const GO_MISSING_MESSAGE: string;
export declare function launcherSourceHash(): Promise<string>;
export declare function isLauncherUpToDate(): Promise<boolean>;
export declare function findGo(): string | null;
export declare function ensureLauncherBuilt(options?: { log?: (line: string) => void }): Promise<{ path: string; built: boolean }>;
export declare const PATCHES: { file: string; find: string; replace: string; count?: number; why: string }[];
