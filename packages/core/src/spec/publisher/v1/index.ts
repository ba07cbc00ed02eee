export type { PublisherV1, PublisherV1Request, PublisherV1Result } from './publisher-v1';
