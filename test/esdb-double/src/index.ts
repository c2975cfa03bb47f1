export { EsdbProtocolDouble } from './esdb-protocol-double.js';
