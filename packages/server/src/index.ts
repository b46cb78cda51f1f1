export { createHttpServer } from './http-server.ts';
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
