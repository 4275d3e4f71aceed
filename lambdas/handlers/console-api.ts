import { apiHandler } from './http/api-handler';
import { consoleApi } from './routes/console-routes';
import { openApiRoute } from './routes/openapi-route';
import { portalApi } from './routes/portal-routes';
import { runtime } from './runtime';

const api = consoleApi(runtime);

/** The console API; it also serves the OpenAPI document, which covers the portal's routes too. */
export const handler = apiHandler(
  [...api.routes, openApiRoute([...api.routes, ...portalApi(runtime).routes])],
  api.authenticate,
  runtime.originSecret,
);
