// Builds the service's resolver from its configuration: live discovery unless MAILCONFIG_DISCOVERY=off.
import type { DiscoveryConfig } from '../config.js';
import type { SettingsResolver } from '../settings/resolver.js';
import { DatabaseResolver } from '../providers/resolver.js';
import type { ProviderStore } from '../providers/store.js';
import { systemDnsServers } from './dns.js';
import type { DiscoveryOptions } from './options.js';
import { DiscoveryResolver } from './resolver.js';

export function discoveryOptions(config: DiscoveryConfig): DiscoveryOptions {
  return {
    dnsServers: config.dnsServers ?? systemDnsServers(),
    allowNetworks: config.allowNetworks,
    lookupTimeoutMs: config.lookupTimeoutMs,
    autoconfigHttp: config.autoconfigHttp,
  };
}

export function settingsResolverFor(config: DiscoveryConfig, store: ProviderStore): SettingsResolver {
  return config.enabled ? new DiscoveryResolver(store, discoveryOptions(config)) : new DatabaseResolver(store);
}
