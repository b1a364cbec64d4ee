// Builds the service's resolver from its configuration: live discovery unless MAILCONFIG_DISCOVERY=off.
import type { DiscoveryConfig } from '../config.js';
import { DatabaseResolver, type ProviderStore, type SettingsResolver } from '../settings/resolver.js';
import { systemDnsServers } from './dns.js';
import type { DiscoveryOptions } from './options.js';
import { DiscoveryResolver } from './resolver.js';

export function discoveryOptions(config: DiscoveryConfig, stop?: AbortSignal): DiscoveryOptions {
  return {
    stop,
    dnsServers: config.dnsServers ?? systemDnsServers(),
    allowNetworks: config.allowNetworks,
    lookupTimeoutMs: config.lookupTimeoutMs,
    autoconfigHttp: config.autoconfigHttp,
  };
}

/** `stop`: aborted at shutdown, ending lookups still running. */
export function settingsResolverFor(config: DiscoveryConfig, store: ProviderStore, stop?: AbortSignal): SettingsResolver {
  return config.enabled ? new DiscoveryResolver(store, discoveryOptions(config, stop)) : new DatabaseResolver(store);
}
