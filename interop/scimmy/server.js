// scimmy-routers mounted in Express, with the smallest in-memory store scimmy's handler
// contract asks for. SCIM protocol handling (parsing, filters, PATCH, paging, sorting, errors,
// discovery, /Bulk) is scimmy's; this file only stores objects, as scimmy's documented
// ingress/egress/degress examples do with a database. It never rewrites a request or a response.
//
// Usage: node server.js PORT TOKEN   (binds 127.0.0.1; serves the SCIM root at /scim/v2)
import {randomUUID} from "node:crypto";
import express from "express";
import SCIMMY from "scimmy";
import SCIMMYRouters from "scimmy-routers";

const [port, token] = process.argv.slice(2);
if (!port || !token) {
    console.error("usage: node server.js PORT TOKEN");
    process.exit(2);
}

// One in-memory table per resource type. `unique` names the attribute that the table holds
// unique (case-insensitively), the way scimmy's ingress example expects a database's unique
// constraint to throw a 409: RFC 7643 gives userName uniqueness "server", and displayName none.
function table(unique) {
    const rows = new Map();
    const now = () => new Date().toISOString();
    const clash = (instance, id) => unique && typeof instance[unique] === "string" && [...rows.values()]
        .some(r => r.id !== id && String(r[unique]).toLowerCase() === instance[unique].toLowerCase());
    return {
        ingress(resource, instance) {
            if (clash(instance, resource.id))
                throw new SCIMMY.Types.Error(409, "uniqueness", `${unique} is already taken`);
            if (resource.id) {
                const old = rows.get(resource.id);
                if (!old) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
                const row = {...instance, id: resource.id, meta: {created: old.meta.created, lastModified: now()}};
                rows.set(resource.id, row);
                return row;
            }
            const id = randomUUID();
            const row = {...instance, id, meta: {created: now(), lastModified: now()}};
            rows.set(id, row);
            return row;
        },
        egress(resource) {
            if (resource.id) {
                const row = rows.get(resource.id);
                if (!row) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
                return row;
            }
            const all = [...rows.values()];
            return resource.filter ? resource.filter.match(all) : all;
        },
        degress(resource) {
            if (!rows.delete(resource.id)) throw new SCIMMY.Types.Error(404, null, `Resource ${resource.id} not found`);
        },
    };
}

const users = table("userName");
const groups = table(null);
SCIMMY.Resources.declare(SCIMMY.Resources.User)
    .extend(SCIMMY.Schemas.EnterpriseUser, false)
    .ingress(users.ingress).egress(users.egress).degress(users.degress);
SCIMMY.Resources.declare(SCIMMY.Resources.Group)
    .ingress(groups.ingress).egress(groups.egress).degress(groups.degress);

const app = express();
app.use("/scim/v2", new SCIMMYRouters({
    type: "bearer",
    // Absolute meta.location values, as a deployment behind its own host name would configure.
    baseUri: () => `http://127.0.0.1:${port}`,
    // The token authenticates a client, not a SCIM user, so /Me has no user to answer with.
    handler: (request) => {
        if (request.header("Authorization") !== `Bearer ${token}`) throw new Error("Invalid bearer token");
    },
}));
app.listen(Number(port), "127.0.0.1", () => console.log(`scimmy listening on 127.0.0.1:${port}`));
