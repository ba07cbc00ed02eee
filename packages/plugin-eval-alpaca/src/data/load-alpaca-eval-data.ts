import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadFileToCacheDir } from '@huggingface/hub';
import { AlpacaEvalError } from '../errors';
import { ALPACA_EVAL_FILES, parseAlpacaEvalData, type AlpacaEvalData } from './alpaca-eval-data';

/** The Hugging Face dataset repository of AlpacaEval (CC BY-NC 4.0 data, loaded at run time, never bundled). */
export const ALPACA_EVAL_REPOSITORY = 'tatsu-lab/alpaca_eval';

/** The revision whose files were checked against the official leaderboard. */
export const ALPACA_EVAL_REVISION = '2edc6fad8be6b14ea7230aabfd08188da6b8b814';

/** sha256 of the files at {@link ALPACA_EVAL_REVISION}, checked after loading from that revision. */
export const ALPACA_EVAL_SHA256: Record<string, string> = {
  [ALPACA_EVAL_FILES.evalSet]: '83db546b872ddebee8965fd05fa48461ee3c32bc695c62fb57f2d214ff741ec4',
  [ALPACA_EVAL_FILES.gamed]: '97aeec3f1c7de6dee6fd31fe66f1702623f4614c3efe1c6fc5f4927cd5fd674d',
  [ALPACA_EVAL_FILES.instructionDifficulty]: 'e28d875bb334f75e17acd1e4ed659b261860e3db379cf5de29060301bed0a18b',
};

/** Where the AlpacaEval dataset files come from. */
export interface LoadAlpacaEvalDataOptions {
  /** A local folder holding the three files; when set, nothing is downloaded. */
  localPath?: string;
  /** Dataset repository. Default `tatsu-lab/alpaca_eval`. */
  repository?: string;
  /** Git revision. Default the pinned {@link ALPACA_EVAL_REVISION} (files then checked by sha256). */
  revision?: string;
  /** Hub endpoint. Default https://huggingface.co (or `HF_ENDPOINT`). */
  hubUrl?: string;
  /** Hugging Face cache folder. Default `HF_HUB_CACHE` or `~/.cache/huggingface/hub`. */
  cacheDir?: string;
  /** Name of the environment variable holding a Hub token, if any (the dataset is public). */
  accessTokenEnv?: string;
  /** Receives progress lines (downloads). Default: written to stderr, so stdout stays clean for `--json`. */
  onProgress?: (line: string) => void;
}

/**
 * Loads the AlpacaEval 2.0 eval set, instruction difficulty and gamed-baseline rows from a local
 * folder, or from the Hugging Face Hub through `@huggingface/hub` into the local HF cache (a second
 * call reads the cache without network when the revision is a commit).
 */
export async function loadAlpacaEvalData(options: LoadAlpacaEvalDataOptions = {}): Promise<AlpacaEvalData> {
  const names = Object.values(ALPACA_EVAL_FILES);
  const texts: Record<string, string> = {};
  if (options.localPath !== undefined) {
    for (const name of names) {
      const path = join(options.localPath, name);
      try {
        texts[name] = await readFile(path, 'utf8');
      } catch (error) {
        throw new AlpacaEvalError(
          'ALPACA_DATA_NOT_FOUND',
          `Cannot read ${path}: the local AlpacaEval folder must hold ${names.join(', ')} (from the HF dataset ${ALPACA_EVAL_REPOSITORY}).`,
          { cause: error },
        );
      }
    }
  } else {
    const revision = options.revision ?? ALPACA_EVAL_REVISION;
    const repository = options.repository ?? ALPACA_EVAL_REPOSITORY;
    const accessToken = options.accessTokenEnv ? process.env[options.accessTokenEnv] : undefined;
    for (const name of names) {
      let path: string;
      const progress = options.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
      // @huggingface/hub announces downloads with console.debug, which Node prints on stdout;
      // route it to the progress sink for the duration of the call.
      const consoleDebug = console.debug;
      console.debug = (...parts: unknown[]) => progress(parts.map(String).join(' '));
      try {
        path = await downloadFileToCacheDir({
          repo: { type: 'dataset', name: repository },
          path: name,
          revision,
          hubUrl: options.hubUrl ?? process.env.HF_ENDPOINT,
          cacheDir: options.cacheDir,
          ...(accessToken ? { accessToken } : {}),
        });
      } catch (error) {
        throw new AlpacaEvalError(
          'ALPACA_DATA_DOWNLOAD_FAILED',
          `Cannot download ${name} from the Hugging Face dataset ${repository}@${revision}: ${(error as Error).message}. ` +
            'Check the network or give a local folder (option localPath / --data-dir).',
          { cause: error },
        );
      } finally {
        console.debug = consoleDebug;
      }
      const bytes = await readFile(path);
      const expected = revision === ALPACA_EVAL_REVISION ? ALPACA_EVAL_SHA256[name] : undefined;
      const actual = createHash('sha256').update(bytes).digest('hex');
      if (expected !== undefined && actual !== expected) {
        throw new AlpacaEvalError(
          'ALPACA_DATA_CORRUPT',
          `${path} has sha256 ${actual}, expected ${expected} for revision ${revision}; delete it from the cache and retry.`,
        );
      }
      texts[name] = bytes.toString('utf8');
    }
  }
  return parseAlpacaEvalData({
    evalSet: texts[ALPACA_EVAL_FILES.evalSet],
    instructionDifficulty: texts[ALPACA_EVAL_FILES.instructionDifficulty],
    gamed: texts[ALPACA_EVAL_FILES.gamed],
  });
}
