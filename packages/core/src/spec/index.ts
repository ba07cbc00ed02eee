export * from './shared/index';
export * from './teacher/index';
export * from './agent/index';
export * from './selector/index';
export * from './verifier/index';
export * from './trainer/index';
export * from './evaluator/index';
export * from './publisher/index';
