import { DistillError } from './distill-error';

/** A plugin was built against a plugin API this core does not support. */
export class IncompatiblePluginError extends DistillError {
  readonly pluginName: string;
  readonly pluginVersion: string;
  readonly supportedApiVersions: readonly number[];

  constructor(options: { pluginName: string; pluginVersion: string; apiVersion: unknown; supportedApiVersions: readonly number[] }) {
    super({
      code: 'INCOMPATIBLE_PLUGIN',
      message:
        `Plugin "${options.pluginName}@${options.pluginVersion}" targets apiVersion ${String(options.apiVersion)}; ` +
        `this core supports [${options.supportedApiVersions.join(', ')}]. Upgrade @easydistill/core or pin the plugin to a compatible version.`,
    });
    this.name = 'IncompatiblePluginError';
    this.pluginName = options.pluginName;
    this.pluginVersion = options.pluginVersion;
    this.supportedApiVersions = options.supportedApiVersions;
  }
}
