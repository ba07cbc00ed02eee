import { DistillError, type TeacherV1, type TeacherV1Choice, type TeacherV1Request } from '@easydistill/core';

/** One completion: the first choice of a generation request (throws when the teacher gives none). */
export async function generateOne(teacher: TeacherV1, request: TeacherV1Request): Promise<TeacherV1Choice> {
  const response = await teacher.doGenerate(request);
  const choice = response.choices[0];
  if (!choice) {
    throw new DistillError({ code: 'TEACHER_REQUEST_FAILED', message: `${teacher.componentId} (${teacher.modelId}) returned no choices` });
  }
  return choice;
}

/** All completions of one request (n samples). */
export async function generateMany(teacher: TeacherV1, request: TeacherV1Request): Promise<TeacherV1Choice[]> {
  const response = await teacher.doGenerate(request);
  return response.choices;
}
