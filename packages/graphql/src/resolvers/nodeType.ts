/** Name of the Relay interface every model type implements. */
export const NODE_TYPE = "Node";
