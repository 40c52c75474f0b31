// Node "selfplay" of the three-node ringrift cluster (node.ts; `npm run example:ringrift:cluster`
// starts all three). By hand, with NATS running:
//   node bin/warden.js up --config examples/ringrift/cluster/selfplay.config.ts --profile auto
import { ringriftNode } from "./node.ts";

export default ringriftNode("selfplay");
