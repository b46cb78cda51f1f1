export { LIMITS, createHttpServer } from './http-server.ts';
export {
  TLS_RELOAD_CHECK_MS,
  TLS_SETTINGS,
  checkTlsSettings,
  clientCertificate,
  readTls,
  reloadTlsOnChange,
  type TlsFiles,
} from './tls.ts';
export {
  bodyPrecheck,
  clientGone,
  apiHeaders,
  hstsWhenSecure,
  rejectProtoKeys,
  rejectUndecodablePath,
} from './hardening.ts';
export { HttpError, parse, type Problem, type RequestPart } from './http-error.ts';
export { errorHandler, notFoundHandler, type ErrorHandlerOptions } from './error-handler.ts';
export {
  contractRouter,
  type ContractRouterOptions,
  type RouteCall,
  type RouteFn,
  type RouteSpec,
} from './contract-router.ts';
export { requestLogger, type RequestLoggerOptions } from './request-logger.ts';
export { healthRoutes, type Readiness } from './health.ts';
export {
  LoginGuard,
  defaultLoginGuardSettings,
  type LoginGuardSettings,
  type LoginOutcome,
  type LoginVerdict,
} from './login-guard.ts';
export { CLIENT_ADDRESS_HEADER, PROXY_KEY_HEADER, clientAddress } from './login-proxy.ts';
export { randomSecret, secretFile } from './secret-file.ts';
