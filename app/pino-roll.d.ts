declare module "pino-roll" {
  import type { DestinationStream } from "pino";
  type Options = {
    file: string | (() => string);
    size?: string | number;
    frequency?: string | number;
    extension?: string;
    mkdir?: boolean;
    symlink?: boolean;
    limit?: { count?: number; removeOtherLogFiles?: boolean };
    dateFormat?: string;
    sync?: boolean;
  };
  export default function pinoRoll(options: Options): Promise<DestinationStream & { end(): void; flushSync(): void }>;
}
