export type { TrainerV1, TrainerV1Request, TrainerV1Result } from './trainer-v1';
