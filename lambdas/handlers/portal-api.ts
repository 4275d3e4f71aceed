import { apiHandler } from './http/api-handler';
import { portalApi } from './routes/portal-routes';
import { runtime } from './runtime';

const api = portalApi(runtime);

export const handler = apiHandler(api.routes, api.authenticate, runtime.originSecret);
