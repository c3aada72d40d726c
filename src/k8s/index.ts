export { loadKubeConfig } from './kubeconfig.ts';
