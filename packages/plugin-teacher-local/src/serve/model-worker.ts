// The model thread of `easydistill serve` (a worker_threads Worker started by WorkerServedModel):
// loads the Hugging Face model and runs the batches the server's HTTP thread posts to it, so that
// decoding never blocks the thread that reads, parses and answers HTTP requests.
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendName } from '@easydistill/llm-tfjs';
import { HfModel } from '../hf/hf-model';
import { serializeError, type WorkerReply, type WorkerRequest, type WorkerStart } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('model-worker runs as a worker thread of easydistill serve');
const start = workerData as WorkerStart;

let model: HfModel;
try {
  model = await HfModel.load(start.reference, {
    ...(start.backend ? { backend: start.backend as BackendName } : {}),
    ...(start.modelId ? { modelId: start.modelId } : {}),
    ...(start.revision ? { revision: start.revision } : {}),
  });
} catch (error) {
  port.postMessage({ type: 'failed', error: serializeError(error) } satisfies WorkerReply);
  port.close();
  throw error;
}
port.postMessage({ type: 'ready', modelId: model.modelId, tokenizerId: model.tokenizerId, contextLength: model.contextLength, vocabSize: model.vocabSize } satisfies WorkerReply);

port.on('message', (message: WorkerRequest) => {
  void handle(message);
});

async function handle(message: WorkerRequest): Promise<void> {
  if (message.type === 'close') {
    await model.close().catch(() => undefined);
    port!.postMessage({ type: 'closed' } satisfies WorkerReply);
    port!.close();
    return;
  }
  try {
    if (message.type === 'generateBatch') {
      const results = await model.generateBatch(message.requests);
      port!.postMessage({ type: 'result', id: message.id, value: results.map((result) => (result instanceof Error ? { error: serializeError(result) } : { value: result })) } satisfies WorkerReply);
    } else {
      const value = await model.score(message.request);
      port!.postMessage({ type: 'result', id: message.id, value } satisfies WorkerReply);
    }
  } catch (error) {
    port!.postMessage({ type: 'error', id: message.id, error: serializeError(error) } satisfies WorkerReply);
  }
}
