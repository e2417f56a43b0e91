/**
 * AWS facts more than one component needs. Pure data: no Pulumi, no AWS calls.
 */

/**
 * The retention periods CloudWatch Logs accepts (PutRetentionPolicy `retentionInDays`); any other value
 * is rejected by the API.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const LOG_RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
