import type { ComponentCatalog, CatalogEntry } from '../plugin/component-catalog';
import type { LoadedPlugin } from '../plugin/load-plugins';
import type { TeacherNeedV1 } from '../plugin/plugin-manifest';
import type { DatasetFormat } from '../dataset/dataset-format';
import type { Recipe } from './recipe-schema';

/** A named component of the recipe with its validated options. */
export interface ResolvedComponent {
  name: string;
  entry: CatalogEntry;
  options: unknown;
}

/** A stage with its component looked up and its options validated. */
export interface ResolvedStage {
  index: number;
  id: string;
  entry: CatalogEntry;
  /** Options as the component's schema returned them (defaults applied). */
  options: unknown;
  /** Options as written (for provenance). */
  rawOptions: Record<string, unknown>;
  in?: string;
  out?: string;
  concurrency?: number;
  teacherNeeds: TeacherNeedV1[];
  writesLogits: boolean;
}

/** A dataset the recipe brings, with its absolute path. */
export interface ResolvedDataset {
  name: string;
  path: string;
  format: DatasetFormat;
}

/** A recipe that passed both validation passes, ready to run. */
export interface ResolvedRecipe {
  file: string;
  directory: string;
  /** sha256 of the canonical JSON of the recipe. */
  hash: string;
  recipe: Recipe;
  catalog: ComponentCatalog;
  plugins: LoadedPlugin[];
  components: Map<string, ResolvedComponent>;
  datasets: Map<string, ResolvedDataset>;
  stages: ResolvedStage[];
}
