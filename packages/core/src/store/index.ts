export { LogitsStoreReader, LogitsStoreWriter, logitsIndexPath, type LogitsStoreWriterOptions } from './logits-store';
