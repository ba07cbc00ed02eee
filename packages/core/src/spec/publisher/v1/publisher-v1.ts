export interface PublisherV1Request {
  /** A finished model folder (Hugging Face layout). */
  modelDir: string;
  /** A generated model card (Markdown with YAML front matter). */
  modelCard: string;
  /** The run report, when one exists, published beside the model. */
  reportPath?: string;
  /** The publisher's own work folder (for exports such as GGUF). */
  workDir: string;
}

export interface PublisherV1Result {
  /** Where it went: a URL, a folder, a file. */
  location: string;
}

/** A publisher takes a finished checkpoint with its report and model card somewhere. */
export interface PublisherV1 {
  readonly specificationVersion: 'v1';
  readonly componentId: string;
  doPublish(request: PublisherV1Request): PromiseLike<PublisherV1Result>;
}
