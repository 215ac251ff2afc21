/** Axios interceptors for a session of the lean client (`nestjs-dual-token-auth/client/core`); axios itself is not imported. */
export {
  installAxiosInterceptors,
  type AxiosLikeInstance,
  type AxiosLikeInterceptorManager,
  type AxiosLikeRequestConfig,
} from '../axios-adapter.js';
