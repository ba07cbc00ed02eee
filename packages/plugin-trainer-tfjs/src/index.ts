export * from './losses/index';
