package io.swarmflow.cli.report;

/**
 * For {@code io.swarmflow.bench.ReportScale}: the DAG of a report drawn alone, as {@link ReportHtml} draws it for a plan
 * of at most {@link DagSvg#MAX_TICKETS} tickets ({@link DagSvg#render}, package-private, hence this class in the
 * report's package). Not part of the product.
 */
public final class ReportProbe {
    private ReportProbe() {}

    /** The most tickets the report's DAG draws one by one ({@link DagSvg#MAX_TICKETS}). */
    public static int dagMaxTickets() {
        return DagSvg.MAX_TICKETS;
    }

    /**
     * Draws {@code report}'s DAG ticket by ticket, as report.html holds it for a plan of at most {@link #dagMaxTickets()}
     * tickets.
     *
     * @return the SVG markup
     */
    public static String dag(RunReport report) {
        return DagSvg.render(report.rows());
    }
}
