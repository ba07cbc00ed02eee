export type { TeacherV1 } from './teacher-v1';
export type { TeacherV1Capabilities } from './teacher-v1-capabilities';
export type { TeacherV1Request, TeacherV1ScoreRequest } from './teacher-v1-request';
export type { TeacherV1Choice, TeacherV1Response, TeacherV1ScoreResponse } from './teacher-v1-response';
