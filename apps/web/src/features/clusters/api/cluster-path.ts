/** The BFF's path of one cluster, with its id escaped. */
export const clusterPath = (clusterId: string) => `/api/clusters/${encodeURIComponent(clusterId)}`;
