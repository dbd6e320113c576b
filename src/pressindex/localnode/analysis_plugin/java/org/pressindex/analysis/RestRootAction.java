package org.pressindex.analysis;

import org.elasticsearch.Build;
import org.elasticsearch.client.internal.node.NodeClient;
import org.elasticsearch.cluster.ClusterState;
import org.elasticsearch.cluster.metadata.Metadata;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.IndexVersion;
import org.elasticsearch.node.Node;
import org.elasticsearch.rest.BaseRestHandler;
import org.elasticsearch.rest.RestRequest;
import org.elasticsearch.rest.RestResponse;
import org.elasticsearch.rest.RestStatus;
import org.elasticsearch.xcontent.XContentBuilder;

import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

import static org.elasticsearch.rest.RestRequest.Method.GET;
import static org.elasticsearch.rest.RestRequest.Method.HEAD;

/**
 * {@code GET /} and {@code HEAD /} as the rest-root module answers them. Clients (elasticsearch-py's
 * {@code info()} and {@code ping()}) probe this endpoint, and the integ-test distribution lacks rest-root.
 * The body is built from the same sources rest-root's transport action reads, without the transport hop.
 */
public class RestRootAction extends BaseRestHandler {

    private final String nodeName;
    private final Supplier<ClusterState> clusterState;

    RestRootAction(Settings settings, Supplier<ClusterState> clusterState) {
        this.nodeName = Node.NODE_NAME_SETTING.get(settings);
        this.clusterState = clusterState;
    }

    @Override
    public String getName() {
        return "pressindex_main_action";
    }

    @Override
    public List<Route> routes() {
        return List.of(new Route(GET, "/"), new Route(HEAD, "/"));
    }

    @Override
    public boolean canTripCircuitBreaker() {
        return false;
    }

    @Override
    protected RestChannelConsumer prepareRequest(RestRequest request, NodeClient client) {
        return channel -> {
            XContentBuilder builder = channel.newBuilder();
            // rest-root pretty-prints unless ?pretty is given explicitly
            if (request.hasParam("pretty") == false) {
                builder.prettyPrint().lfAtEnd();
            }
            writeBody(builder);
            channel.sendResponse(new RestResponse(RestStatus.OK, builder));
        };
    }

    private void writeBody(XContentBuilder builder) throws IOException {
        ClusterState state = clusterState.get();
        Metadata metadata = state.metadata();
        Build build = Build.current();
        builder.startObject();
        builder.field("name", nodeName);
        builder.field("cluster_name", state.getClusterName().value());
        builder.field("cluster_uuid", metadata.clusterUUIDCommitted() ? metadata.clusterUUID() : Metadata.UNKNOWN_CLUSTER_UUID);
        builder.startObject("version")
            .field("number", build.qualifiedVersion())
            .field("build_flavor", build.flavor())
            .field("build_type", build.type().displayName())
            .field("build_hash", build.hash())
            .field("build_date", build.date())
            .field("build_snapshot", build.isSnapshot())
            .field("lucene_version", IndexVersion.current().luceneVersion().toString())
            .field("minimum_wire_compatibility_version", build.minWireCompatVersion())
            .field("minimum_index_compatibility_version", build.minIndexCompatVersion())
            .endObject();
        builder.field("tagline", "You Know, for Search");
        builder.endObject();
    }
}
