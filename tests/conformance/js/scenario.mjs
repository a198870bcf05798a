// The AWS SDK for JavaScript v3 against imagebuilder-mock's server: build an image through a pipeline,
// page with paginateListComponents, catch each typed exception, tag, and delete everything.
// Run by tests/conformance/test_js_sdk.py: IMAGEBUILDER_ENDPOINT is the server, IMAGEBUILDER_INJECTED the
// error codes the driver queued on ListImages. Prints one JSON report on stdout; exits 1 on a failure.
import assert from "node:assert/strict";
import * as sdk from "@aws-sdk/client-imagebuilder";

const {
  ImagebuilderClient, ImagebuilderServiceException, paginateListComponents,
  CreateComponentCommand, CreateImageRecipeCommand, CreateInfrastructureConfigurationCommand,
  CreateDistributionConfigurationCommand, CreateImagePipelineCommand, StartImagePipelineExecutionCommand,
  GetImageCommand, ListImagePipelineImagesCommand, ListWorkflowExecutionsCommand, GetComponentCommand,
  TagResourceCommand, UntagResourceCommand, ListTagsForResourceCommand, CancelImageCreationCommand,
  DeleteImagePipelineCommand, DeleteImageCommand, DeleteImageRecipeCommand, DeleteComponentCommand,
  DeleteInfrastructureConfigurationCommand, DeleteDistributionConfigurationCommand, ListComponentsCommand,
  ListImagesCommand, ListImagePipelinesCommand,
} = sdk;

const REGION = "us-west-2";
const ACCOUNT = "123456789012";
const client = new ImagebuilderClient({
  region: REGION,
  endpoint: process.env.IMAGEBUILDER_ENDPOINT,
  credentials: { accessKeyId: "AKIATESTTESTTESTTEST", secretAccessKey: "testing-secret" },
  maxAttempts: 1, // retryable errors surface at once
});
const send = (command) => client.send(command);
const report = { steps: [], errors: [], pages: [] };
const DOC = `name: hello
description: Says hello.
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: SayHello
        action: ExecuteBash
        inputs:
          commands:
            - echo hello
`;
const PARENT = `arn:aws:imagebuilder:${REGION}:aws:image/amazon-linux-2-x86/x.x.x`;
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function checkMetadata(out, what) {
  assert.equal(out.$metadata.httpStatusCode, 200, what);
  assert.match(out.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/, `${what}: $metadata.requestId`);
}

/** Run `call`, which must throw `Type`; record name, status and request id for the driver. */
async function expectError(Type, call, what) {
  try {
    await call();
  } catch (error) {
    assert.ok(error instanceof Type, `${what}: ${error.name} is not a ${Type.name}: ${error.message}`);
    assert.ok(error instanceof ImagebuilderServiceException, `${what}: not an ImagebuilderServiceException`);
    assert.equal(error.name, Type.name, what);
    assert.match(error.$metadata.requestId ?? "", /^[0-9a-f-]{36}$/, `${what}: $metadata.requestId`);
    assert.ok(error.message && error.message !== "UnknownError", `${what}: no message`);
    report.errors.push({ what, name: error.name, status: error.$metadata.httpStatusCode,
                         fault: error.$fault, message: error.message });
    return error;
  }
  assert.fail(`${what}: no ${Type.name} was thrown`);
}

// -- errors the driver injected: every error of the model no request provokes, queued on ListImages ------
for (const code of JSON.parse(process.env.IMAGEBUILDER_INJECTED ?? "[]")) {
  assert.ok(sdk[code], `the SDK has no exception class ${code}`);
  await expectError(sdk[code], () => send(new ListImagesCommand({})), `injected ${code}`);
}
assert.deepEqual((await send(new ListImagesCommand({}))).imageVersionList, []); // the queue is spent

// -- build an image through a pipeline ------------------------------------------------------------
const tags = { team: "conformance" };
const component = await send(new CreateComponentCommand({
  name: "js-hello", semanticVersion: "1.0.0", platform: "Linux", data: DOC, tags }));
checkMetadata(component, "CreateComponent");
assert.match(component.clientToken, /^[0-9a-f-]{36}$/); // the SDK fills the idempotency token
const componentArn = component.componentBuildVersionArn;
const recipe = await send(new CreateImageRecipeCommand({
  name: "js-recipe", semanticVersion: "1.0.0", parentImage: PARENT, components: [{ componentArn }] }));
const infra = await send(new CreateInfrastructureConfigurationCommand({
  name: "js-infra", instanceProfileName: "ib-role", instanceTypes: ["t3.micro"] }));
const dist = await send(new CreateDistributionConfigurationCommand({
  name: "js-dist", distributions: [{ region: REGION,
    amiDistributionConfiguration: { name: "js-{{ imagebuilder:buildDate }}" } }] }));
const pipeline = await send(new CreateImagePipelineCommand({
  name: "js-pipeline", imageRecipeArn: recipe.imageRecipeArn,
  infrastructureConfigurationArn: infra.infrastructureConfigurationArn,
  distributionConfigurationArn: dist.distributionConfigurationArn,
  schedule: { scheduleExpression: "cron(0 0 ? * SUN *)" }, tags }));
const pipelineArn = pipeline.imagePipelineArn;
const started = await send(new StartImagePipelineExecutionCommand({ imagePipelineArn: pipelineArn }));
const imageArn = started.imageBuildVersionArn;
assert.equal(imageArn, `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:image/js-recipe/1.0.0/1`);
let image;
for (let poll = 0; poll < 20; poll++) {
  image = (await send(new GetImageCommand({ imageBuildVersionArn: imageArn }))).image;
  if (!["PENDING", "CREATING", "BUILDING", "TESTING", "DISTRIBUTING", "INTEGRATING"].includes(image.state.status)) break;
}
assert.equal(image.state.status, "AVAILABLE");
assert.equal(image.sourcePipelineArn, pipelineArn);
assert.match(image.dateCreated, ISO_MS); // a string member: the SDK passes it through
assert.match(image.outputResources.amis[0].image, /^ami-[0-9a-f]{17}$/);
assert.match(image.outputResources.amis[0].name, /^js-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/);
assert.equal(image.imageRecipe.components[0].componentArn, componentArn);
const pipelineImages = await send(new ListImagePipelineImagesCommand({ imagePipelineArn: pipelineArn }));
assert.deepEqual(pipelineImages.imageSummaryList.map((i) => i.arn), [imageArn]);
const executions = await send(new ListWorkflowExecutionsCommand({ imageBuildVersionArn: imageArn }));
assert.ok(executions.workflowExecutions.length >= 2);
for (const execution of executions.workflowExecutions) {
  assert.equal(execution.status, "COMPLETED");
  assert.ok(!("message" in execution) || execution.message !== null, "no null message on the wire");
}
// a timestamp member (DateTimeTimestamp) arrives as a Date; a scheduled update lists nothing before its time
const updateAt = new Date(Date.now() + 86400000);
const scheduled = await send(new sdk.StartResourceStateUpdateCommand({
  resourceArn: imageArn, state: { status: "DEPRECATED" }, updateAt }));
const deprecating = (await send(new GetImageCommand({ imageBuildVersionArn: imageArn }))).image;
assert.ok(deprecating.deprecationTime instanceof Date, "deprecationTime is a Date");
assert.ok(Math.abs(deprecating.deprecationTime - updateAt) < 1000, "deprecationTime is updateAt");
const pending = await send(new sdk.ListLifecycleExecutionResourcesCommand({
  lifecycleExecutionId: scheduled.lifecycleExecutionId }));
assert.deepEqual(pending.resources, []);
assert.equal(pending.lifecycleExecutionState.status, "IN_PROGRESS");
await send(new sdk.CancelLifecycleExecutionCommand({ lifecycleExecutionId: scheduled.lifecycleExecutionId }));
report.steps.push({ built: imageArn, amis: image.outputResources.amis.length });

// -- paginateListComponents -------------------------------------------------------------------------
const more = [];
for (let n = 0; n < 5; n++) {
  more.push((await send(new CreateComponentCommand({
    name: `js-paged-${n}`, semanticVersion: "1.0.0", platform: "Linux", data: DOC }))).componentBuildVersionArn);
}
const listed = [];
for await (const page of paginateListComponents({ client, pageSize: 2 }, {})) {
  checkMetadata(page, "ListComponents page");
  report.pages.push(page.componentVersionList.length);
  listed.push(...page.componentVersionList.map((c) => c.arn));
}
assert.deepEqual(report.pages, [2, 2, 2]);
assert.deepEqual([...listed].sort(), [componentArn, ...more].map((arn) => arn.replace(/\/\d+$/, "")).sort());

// -- typed exceptions the service raises ---------------------------------------------------------------
const missing = `arn:aws:imagebuilder:${REGION}:${ACCOUNT}:image/nope/1.0.0/1`;
const notFound = await expectError(sdk.ResourceNotFoundException,
  () => send(new GetImageCommand({ imageBuildVersionArn: missing })), "GetImage of a missing image");
assert.ok(notFound.message.includes(missing));
await expectError(sdk.InvalidParameterValueException, () => send(new CreateComponentCommand({
  name: "js-bad", semanticVersion: "1.0", platform: "Linux", data: DOC })), "CreateComponent with semanticVersion 1.0");
await expectError(sdk.ResourceAlreadyExistsException, () => send(new CreateComponentCommand({
  name: "js-hello", semanticVersion: "1.0.0", platform: "Linux", data: DOC })), "CreateComponent again");
await expectError(sdk.InvalidParameterCombinationException, () => send(new CreateComponentCommand({
  name: "js-both", semanticVersion: "1.0.0", platform: "Linux", data: DOC, uri: "s3://bucket/key.yaml" })),
  "CreateComponent with data and uri");
await expectError(sdk.InvalidVersionNumberException, () => send(new CreateImageRecipeCommand({
  name: "js-badversion", semanticVersion: "1.0.99999999999", parentImage: PARENT, components: [{ componentArn }] })),
  "CreateImageRecipe with a version out of bounds");
await expectError(sdk.ResourceDependencyException,
  () => send(new DeleteImageRecipeCommand({ imageRecipeArn: recipe.imageRecipeArn })),
  "DeleteImageRecipe of a recipe a pipeline uses");
await expectError(sdk.ResourceInUseException,
  () => send(new CancelImageCreationCommand({ imageBuildVersionArn: imageArn })), "CancelImageCreation of a built image");
await expectError(sdk.InvalidPaginationTokenException,
  () => send(new ListComponentsCommand({ nextToken: "not-a-token-of-ours" })), "ListComponents with a forged token");
await send(new CreateComponentCommand({ name: "js-token", semanticVersion: "1.0.0", platform: "Linux", data: DOC,
                                        clientToken: "js-token-1" }));
await expectError(sdk.IdempotentParameterMismatchException, () => send(new CreateComponentCommand({
  name: "js-token", semanticVersion: "1.0.0", platform: "Linux", data: DOC, description: "changed",
  clientToken: "js-token-1" })), "CreateComponent reusing a client token");

// -- tags ------------------------------------------------------------------------------------------
await send(new TagResourceCommand({ resourceArn: pipelineArn, tags: { stage: "test" } }));
let tagged = await send(new ListTagsForResourceCommand({ resourceArn: pipelineArn }));
assert.deepEqual(tagged.tags, { team: "conformance", stage: "test" });
await send(new UntagResourceCommand({ resourceArn: pipelineArn, tagKeys: ["team"] }));
tagged = await send(new ListTagsForResourceCommand({ resourceArn: pipelineArn }));
assert.deepEqual(tagged.tags, { stage: "test" });
const componentTags = await send(new ListTagsForResourceCommand({ resourceArn: componentArn }));
assert.deepEqual(componentTags.tags, tags);
assert.deepEqual((await send(new GetComponentCommand({ componentBuildVersionArn: componentArn }))).component.tags, tags);

// -- delete everything ----------------------------------------------------------------------------
await send(new DeleteImagePipelineCommand({ imagePipelineArn: pipelineArn }));
await send(new DeleteImageCommand({ imageBuildVersionArn: imageArn }));
await send(new DeleteImageRecipeCommand({ imageRecipeArn: recipe.imageRecipeArn }));
await send(new DeleteInfrastructureConfigurationCommand({
  infrastructureConfigurationArn: infra.infrastructureConfigurationArn }));
await send(new DeleteDistributionConfigurationCommand({ distributionConfigurationArn: dist.distributionConfigurationArn }));
const all = [];
for await (const page of paginateListComponents({ client }, {})) all.push(...page.componentVersionList);
for (const version of all) {
  const builds = await send(new sdk.ListComponentBuildVersionsCommand({ componentVersionArn: version.arn }));
  for (const build of builds.componentSummaryList) {
    await send(new DeleteComponentCommand({ componentBuildVersionArn: build.arn }));
  }
}
assert.deepEqual((await send(new ListComponentsCommand({}))).componentVersionList, []);
assert.deepEqual((await send(new ListImagesCommand({}))).imageVersionList, []);
assert.deepEqual((await send(new ListImagePipelinesCommand({}))).imagePipelineList, []);
report.steps.push({ deleted: true });
console.log(JSON.stringify(report));
