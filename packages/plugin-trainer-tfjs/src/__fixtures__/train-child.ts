// Runs one SFT training in a child process, for the SIGKILL-and-resume test:
// node --conditions=@easydistill/source --import tsx train-child.ts '<json: { workDir, options }>'
import { join } from 'node:path';
import { SftTrainer } from '../trainers/sft-trainer';
import { sftOptionsSchema } from '../trainers/training-options';
import { fixturesDir, jsonlDataset, testContext } from './test-context';

const { workDir, options } = JSON.parse(process.argv[2]!) as { workDir: string; options: unknown };
const trainer = new SftTrainer(sftOptionsSchema.parse(options), testContext({ workDir }));
await trainer.doTrain({
  train: jsonlDataset(join(fixturesDir, 'chats.jsonl')),
  outputDir: join(workDir, 'out'),
  checkpointDir: join(workDir, 'checkpoints'),
});
