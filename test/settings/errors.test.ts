import t from 'tap';
import { MailconfigError, errorCode, isMailconfigError } from '../../src/settings/errors.js';

class SampleError extends MailconfigError {
  constructor(message: string, options?: ErrorOptions) {
    super('MAILCONFIG_SAMPLE', message, options);
  }
}

t.test('a subclass carries its fixed code, its own name and the cause', async (t) => {
  const cause = new Error('low level');
  const error = new SampleError('something broke', { cause });
  t.ok(error instanceof Error);
  t.ok(error instanceof MailconfigError);
  t.equal(error.code, 'MAILCONFIG_SAMPLE');
  t.equal(error.name, 'SampleError');
  t.equal(error.message, 'something broke');
  t.equal(error.cause, cause);
  t.match(String(error.stack), /SampleError: something broke/);
});

t.test('isMailconfigError and errorCode tell our errors from any other thrown value', async (t) => {
  const error = new SampleError('x');
  t.ok(isMailconfigError(error));
  t.ok(isMailconfigError(error, 'MAILCONFIG_SAMPLE'));
  t.notOk(isMailconfigError(error, 'MAILCONFIG_OTHER'));
  t.notOk(isMailconfigError(new Error('x')));
  t.notOk(isMailconfigError('MAILCONFIG_SAMPLE'));
  t.equal(errorCode(error), 'MAILCONFIG_SAMPLE');
  t.equal(errorCode(Object.assign(new Error('x'), { code: 'ENOENT' })), undefined);
  t.equal(errorCode(undefined), undefined);
});
